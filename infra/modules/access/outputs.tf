output "function_role_arns" {
  description = "Each function's role, by function."
  value       = { for f, role in aws_iam_role.function : f => role.arn }
}

output "tenant_role_arn" {
  description = "CSVLAKE_TENANT_ROLE_ARN."
  value       = aws_iam_role.tenant.arn
}

output "prepare_role_arn" {
  description = "The prepare Jobs' role."
  value       = aws_iam_role.prepare.arn
}
