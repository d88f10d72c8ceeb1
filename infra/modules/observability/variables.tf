variable "name" {
  description = "Prefix of the names."
  type        = string
}

variable "functions" {
  description = "The functions (one 5xx alarm each)."
  type        = list(string)
}

variable "cluster_name" {
  description = "The EKS cluster whose container logs are read."
  type        = string
}

variable "oidc_provider_arn" {
  description = "The cluster's IAM OIDC provider (the CloudWatch agent's role)."
  type        = string
}

variable "oidc_issuer" {
  description = "The cluster's OIDC issuer without https://."
  type        = string
}

variable "state_machine_arn" {
  description = "The ingest state machine."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the log groups."
  type        = number
}

variable "alarm_email" {
  description = "An address for the alarms; empty for none."
  type        = string
}

variable "error_rate_threshold" {
  description = "The 5xx share that raises a function's alarm."
  type        = number
}
