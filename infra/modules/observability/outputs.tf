output "alarm_topic_arn" {
  description = "The SNS topic the alarms notify."
  value       = aws_sns_topic.alarms.arn
}

output "application_log_group" {
  description = "The container logs' group."
  value       = aws_cloudwatch_log_group.application.name
}
