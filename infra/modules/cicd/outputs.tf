output "pipeline_name" {
  description = "The pipeline."
  value       = aws_codepipeline.this.name
}

output "codebuild_role_arn" {
  description = "The build's role."
  value       = aws_iam_role.codebuild.arn
}
