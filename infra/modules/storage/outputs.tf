output "bucket_name" {
  description = "CSVLAKE_S3_BUCKET."
  value       = aws_s3_bucket.data.id
}

output "bucket_arn" {
  description = "The bucket's ARN, for policies."
  value       = aws_s3_bucket.data.arn
}
