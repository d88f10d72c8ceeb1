terraform {
  # 1.10 brought S3-native state locking (use_lockfile), so no DynamoDB table is needed.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 2.17"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.0"
    }
  }

  # Partial configuration: bucket, key and region come from `terraform init -backend-config=...`
  # (infra/README.md, "First deploy"), so no account's names are written here.
  backend "s3" {}
}
