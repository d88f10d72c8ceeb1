output "crawler_role_arn" {
  description = "CSVLAKE_CRAWLER_ROLE_ARN."
  value       = aws_iam_role.crawler.arn
}

output "workgroup_name" {
  description = "CSVLAKE_ATHENA_WORKGROUP."
  value       = aws_athena_workgroup.this.name
}
