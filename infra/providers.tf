provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, { Project = var.name })
  }
}

# Helm talks to the cluster this configuration creates, with a token from the AWS CLI at apply
# time (no long-lived kubeconfig in the state).
provider "helm" {
  kubernetes {
    host                   = module.eks.endpoint
    cluster_ca_certificate = base64decode(module.eks.certificate_authority)

    exec {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.eks.cluster_name, "--region", var.region]
    }
  }
}
