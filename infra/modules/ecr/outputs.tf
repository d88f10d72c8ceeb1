output "registry" {
  description = "The registry host (ECR_REGISTRY of the build)."
  value       = "${data.aws_caller_identity.current.account_id}.dkr.ecr.${data.aws_region.current.name}.amazonaws.com"
}

output "repository_urls" {
  description = "Each repository's URL, by name."
  value       = { for name, repo in aws_ecr_repository.image : name => repo.repository_url }
}

output "repository_arns" {
  description = "The repositories' ARNs (the build may push to these only)."
  value       = [for repo in aws_ecr_repository.image : repo.arn]
}
