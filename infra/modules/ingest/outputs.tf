output "state_machine_arn" {
  description = "CSVLAKE_INGEST_STATE_MACHINE_ARN."
  value       = aws_sfn_state_machine.ingest.arn
}

output "role_arn" {
  description = "The state machine's role."
  value       = aws_iam_role.state_machine.arn
}
