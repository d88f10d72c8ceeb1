variable "name" {
  description = "Prefix of the names."
  type        = string
}

variable "codestar_connection_arn" {
  description = "The CodeStar connection to the source repository."
  type        = string
}

variable "source_repository" {
  description = "owner/name of the source repository."
  type        = string
}

variable "source_branch" {
  description = "The branch built and deployed."
  type        = string
}

variable "repository_arns" {
  description = "The ECR repositories the build pushes to."
  type        = list(string)
}

variable "registry" {
  description = "The ECR registry host."
  type        = string
}

variable "cluster_name" {
  description = "The EKS cluster the build deploys to."
  type        = string
}

variable "cluster_arn" {
  description = "The EKS cluster's ARN."
  type        = string
}

variable "namespace" {
  description = "The Knative services' namespace."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the build's log group."
  type        = number
}
