output "state_bucket" {
  description = "Pass to `terraform init -backend-config=bucket=...` of the root module."
  value       = aws_s3_bucket.state.id
}
