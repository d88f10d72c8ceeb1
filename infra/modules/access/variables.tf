variable "name" {
  description = "Prefix of the role names, service accounts and Glue databases."
  type        = string
}

variable "functions" {
  description = "The functions; each gets a role for the service account <name>-<function>."
  type        = list(string)
}

variable "namespace" {
  description = "The functions' Kubernetes namespace."
  type        = string
}

variable "jobs_namespace" {
  description = "The prepare Jobs' Kubernetes namespace."
  type        = string
}

variable "prepare_service_account" {
  description = "The prepare Jobs' service account."
  type        = string
}

variable "oidc_provider_arn" {
  description = "The cluster's IAM OIDC provider."
  type        = string
}

variable "oidc_issuer" {
  description = "The cluster's OIDC issuer without https://."
  type        = string
}

variable "bucket_arn" {
  description = "The data bucket's ARN."
  type        = string
}

variable "state_machine_arn" {
  description = "The ingest state machine."
  type        = string
}

variable "workgroup_name" {
  description = "The Athena workgroup."
  type        = string
}
