variable "name" {
  description = "Prefix of the names (state machine, role, crawlers, Glue databases)."
  type        = string
}

variable "bucket_arn" {
  description = "The data bucket's ARN."
  type        = string
}

variable "crawler_role_arn" {
  description = "The role the crawlers run as (passed to Glue)."
  type        = string
}

variable "workgroup_name" {
  description = "The Athena workgroup of the check query."
  type        = string
}

variable "cluster_name" {
  description = "The EKS cluster the prepare Jobs run on."
  type        = string
}

variable "jobs_namespace" {
  description = "The namespace of the prepare Jobs."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the state machine's log group."
  type        = number
}
