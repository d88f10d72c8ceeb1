# csvlake on AWS: one root module, applied in one go after bootstrap/ (see README.md for the order
# inside it and the first deploy).

locals {
  # One Knative service, service account, IAM role, log stream and image per function; the same
  # list as deploy/routing.ts FUNCTIONS (infra/terraform.test.ts checks they agree).
  functions = ["docs", "files", "health", "job-status", "preview", "query", "submit", "tables", "upload"]

  # Images beside the functions': the web's static export and the prepare Jobs of the ingest.
  images = concat([for f in local.functions : "${var.name}-${f}"], ["${var.name}-web", "${var.name}-prepare"])

  # The prepare Jobs' service account (CSVLAKE_EKS_SERVICE_ACCOUNT).
  prepare_service_account = "${var.name}-prepare"
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

module "network" {
  source             = "./modules/network"
  name               = var.name
  cidr               = var.vpc_cidr
  availability_zones = var.availability_zones
  cluster_name       = var.name
}

module "eks" {
  source              = "./modules/eks"
  name                = var.name
  kubernetes_version  = var.kubernetes_version
  private_subnet_ids  = module.network.private_subnet_ids
  public_subnet_ids   = module.network.public_subnet_ids
  node_instance_types = var.node_instance_types
  node_count          = var.node_count
  cluster_admin_arns  = var.cluster_admin_arns
  log_retention_days  = var.log_retention_days
}

module "knative" {
  source              = "./modules/knative"
  cluster_name        = module.eks.cluster_name
  region              = var.region
  operator_version    = var.knative_operator_version
  istio_version       = var.istio_version
  gateway_api_version = var.gateway_api_version

  # Helm needs the nodes to schedule the operator on.
  depends_on = [module.eks]
}

module "storage" {
  source                     = "./modules/storage"
  bucket_name                = var.bucket_name
  staging_expiry_days        = var.staging_expiry_days
  athena_results_expiry_days = var.athena_results_expiry_days
  results_expiry_days        = var.results_expiry_days
  multipart_abort_days       = var.multipart_abort_days
}

module "ecr" {
  source       = "./modules/ecr"
  repositories = local.images
}

module "catalog" {
  source               = "./modules/catalog"
  name                 = var.name
  bucket_name          = module.storage.bucket_name
  bucket_arn           = module.storage.bucket_arn
  bytes_scanned_cutoff = var.athena_bytes_scanned_cutoff
}

module "ingest" {
  source             = "./modules/ingest"
  name               = var.name
  bucket_arn         = module.storage.bucket_arn
  crawler_role_arn   = module.catalog.crawler_role_arn
  workgroup_name     = module.catalog.workgroup_name
  cluster_name       = module.eks.cluster_name
  jobs_namespace     = var.jobs_namespace
  log_retention_days = var.log_retention_days
}

module "access" {
  source                  = "./modules/access"
  name                    = var.name
  functions               = local.functions
  namespace               = var.namespace
  jobs_namespace          = var.jobs_namespace
  prepare_service_account = local.prepare_service_account
  oidc_provider_arn       = module.eks.oidc_provider_arn
  oidc_issuer             = module.eks.oidc_issuer
  bucket_arn              = module.storage.bucket_arn
  state_machine_arn       = module.ingest.state_machine_arn
  workgroup_name          = module.catalog.workgroup_name
}

module "observability" {
  source               = "./modules/observability"
  name                 = var.name
  functions            = local.functions
  cluster_name         = module.eks.cluster_name
  oidc_provider_arn    = module.eks.oidc_provider_arn
  oidc_issuer          = module.eks.oidc_issuer
  state_machine_arn    = module.ingest.state_machine_arn
  log_retention_days   = var.log_retention_days
  alarm_email          = var.alarm_email
  error_rate_threshold = var.error_rate_threshold
}

module "cicd" {
  source                  = "./modules/cicd"
  name                    = var.name
  codestar_connection_arn = var.codestar_connection_arn
  source_repository       = var.source_repository
  source_branch           = var.source_branch
  repository_arns         = module.ecr.repository_arns
  registry                = module.ecr.registry
  cluster_name            = module.eks.cluster_name
  cluster_arn             = module.eks.cluster_arn
  namespace               = var.namespace
  log_retention_days      = var.log_retention_days
}
