# Every setting aws mode reads (functions/core/adapters/aws/aws-config.ts), by its variable name:
# the ConfigMap of the Knative services takes this map as it is (buildspec.yml writes it).
locals {
  app_settings = {
    CSVLAKE_MODE                     = "aws"
    AWS_REGION                       = var.region
    CSVLAKE_S3_BUCKET                = module.storage.bucket_name
    CSVLAKE_ATHENA_WORKGROUP         = module.catalog.workgroup_name
    CSVLAKE_ATHENA_MAX_SCANNED_BYTES = tostring(var.athena_bytes_scanned_cutoff)
    CSVLAKE_INGEST_STATE_MACHINE_ARN = module.ingest.state_machine_arn
    CSVLAKE_CRAWLER_ROLE_ARN         = module.catalog.crawler_role_arn
    CSVLAKE_TENANT_ROLE_ARN          = module.access.tenant_role_arn
    CSVLAKE_EKS_CLUSTER              = module.eks.cluster_name
    CSVLAKE_EKS_ENDPOINT             = module.eks.endpoint
    CSVLAKE_EKS_CA_DATA              = module.eks.certificate_authority
    CSVLAKE_EKS_NAMESPACE            = var.jobs_namespace
    CSVLAKE_EKS_SERVICE_ACCOUNT      = local.prepare_service_account
    # CSVLAKE_EKS_IMAGE names the commit a build pushed, so buildspec.yml adds it:
    # <eks_image_repository>:<commit>.
  }
}

output "app_settings" {
  description = "The aws-mode settings, by variable name: the ConfigMap's data (see README.md, First deploy)."
  value       = local.app_settings
}

output "region" {
  description = "AWS_REGION."
  value       = var.region
}

output "bucket" {
  description = "CSVLAKE_S3_BUCKET."
  value       = module.storage.bucket_name
}

output "athena_workgroup" {
  description = "CSVLAKE_ATHENA_WORKGROUP."
  value       = module.catalog.workgroup_name
}

output "athena_max_scanned_bytes" {
  description = "CSVLAKE_ATHENA_MAX_SCANNED_BYTES (the workgroup's own cutoff)."
  value       = var.athena_bytes_scanned_cutoff
}

output "ingest_state_machine_arn" {
  description = "CSVLAKE_INGEST_STATE_MACHINE_ARN."
  value       = module.ingest.state_machine_arn
}

output "crawler_role_arn" {
  description = "CSVLAKE_CRAWLER_ROLE_ARN."
  value       = module.catalog.crawler_role_arn
}

output "tenant_role_arn" {
  description = "CSVLAKE_TENANT_ROLE_ARN."
  value       = module.access.tenant_role_arn
}

output "eks_cluster" {
  description = "CSVLAKE_EKS_CLUSTER."
  value       = module.eks.cluster_name
}

output "eks_endpoint" {
  description = "CSVLAKE_EKS_ENDPOINT."
  value       = module.eks.endpoint
}

output "eks_ca_data" {
  description = "CSVLAKE_EKS_CA_DATA."
  value       = module.eks.certificate_authority
}

output "eks_namespace" {
  description = "CSVLAKE_EKS_NAMESPACE (the prepare Jobs' namespace)."
  value       = var.jobs_namespace
}

output "eks_service_account" {
  description = "CSVLAKE_EKS_SERVICE_ACCOUNT."
  value       = local.prepare_service_account
}

output "eks_image_repository" {
  description = "CSVLAKE_EKS_IMAGE without its tag: the build sets <this>:<commit>."
  value       = module.ecr.repository_urls["${var.name}-prepare"]
}

output "function_role_arns" {
  description = "Each function's IRSA role: the eks.amazonaws.com/role-arn annotation of its service account csvlake-<function>."
  value       = module.access.function_role_arns
}

output "prepare_role_arn" {
  description = "The prepare Jobs' IRSA role: the annotation of the service account CSVLAKE_EKS_SERVICE_ACCOUNT."
  value       = module.access.prepare_role_arn
}

output "ecr_registry" {
  description = "The registry of the images (ECR_REGISTRY of the build)."
  value       = module.ecr.registry
}

output "ecr_repository_urls" {
  description = "Each image's repository."
  value       = module.ecr.repository_urls
}

output "namespace" {
  description = "The Knative services' namespace."
  value       = var.namespace
}

output "pipeline_name" {
  description = "The CodePipeline that builds and deploys each push."
  value       = module.cicd.pipeline_name
}
