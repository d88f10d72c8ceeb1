variable "name" {
  description = "Prefix of every resource name (bucket, roles, cluster, repositories)."
  type        = string
  default     = "csvlake"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name: 2-21 lower-case letters, digits or '-', starting with a letter."
  }
}

variable "region" {
  description = "The AWS region of everything (AWS_REGION of the functions)."
  type        = string
}

variable "bucket_name" {
  description = "The data bucket (CSVLAKE_S3_BUCKET); globally unique, S3 naming rules."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "vpc_cidr" {
  description = "The VPC's address range; split into one public and one private subnet per zone."
  type        = string
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  description = "How many availability zones the VPC and the node group span."
  type        = number
  default     = 2
}

variable "kubernetes_version" {
  description = "The EKS control plane's Kubernetes version."
  type        = string
  default     = "1.31"
}

variable "node_instance_types" {
  description = "Instance types of the managed node group."
  type        = list(string)
  default     = ["m6i.large"]
}

variable "node_count" {
  description = "Nodes of the managed node group: min, desired and max."
  type        = object({ min = number, desired = number, max = number })
  default     = { min = 2, desired = 2, max = 6 }
}

variable "cluster_admin_arns" {
  description = "IAM principals given cluster-admin on the EKS cluster (access entries), e.g. the operator's role."
  type        = list(string)
  default     = []
}

variable "namespace" {
  description = "The Kubernetes namespace of the Knative services (and their service accounts)."
  type        = string
  default     = "csvlake"
}

variable "jobs_namespace" {
  description = "The Kubernetes namespace of the prepare Jobs the state machine runs (CSVLAKE_EKS_NAMESPACE)."
  type        = string
  default     = "csvlake-jobs"
}

variable "knative_operator_version" {
  description = "The Knative Operator chart's version (https://knative.github.io/operator); it installs Knative Serving."
  type        = string
  default     = "1.16.0"
}

variable "istio_version" {
  description = "The Istio charts' version: the Gateway API implementation of knative/'s Gateway and Knative's networking layer."
  type        = string
  default     = "1.24.2"
}

variable "gateway_api_version" {
  description = "The Gateway API release whose standard CRDs are installed."
  type        = string
  default     = "v1.2.1"
}

variable "staging_expiry_days" {
  description = "Days before objects under staging/ expire (an ingest removes its own; this catches the ones a failure left)."
  type        = number
  default     = 2
}

variable "athena_results_expiry_days" {
  description = "Days before Athena's result files under athena-results/ expire."
  type        = number
  default     = 7
}

variable "results_expiry_days" {
  description = "Days before query results under results/ expire (the query records say how long a result is kept)."
  type        = number
  default     = 7
}

variable "multipart_abort_days" {
  description = "Days before an incomplete multipart upload is aborted (its parts are billed until then)."
  type        = number
  default     = 1
}

variable "athena_bytes_scanned_cutoff" {
  description = "The workgroup's bytes-scanned cutoff per query (Athena's floor is 10 MB); keep CSVLAKE_ATHENA_MAX_SCANNED_BYTES at or below it."
  type        = number
  default     = 10737418240

  validation {
    condition     = var.athena_bytes_scanned_cutoff >= 10000000
    error_message = "athena_bytes_scanned_cutoff: at least 10000000 bytes (Athena's minimum)."
  }
}

variable "log_retention_days" {
  description = "Retention of every CloudWatch log group."
  type        = number
  default     = 30
}

variable "alarm_email" {
  description = "An address subscribed to the alarms' SNS topic; empty for none."
  type        = string
  default     = ""
}

variable "error_rate_threshold" {
  description = "The share of a function's requests answered 5xx, over 5 minutes, that raises its alarm."
  type        = number
  default     = 0.05
}

variable "codestar_connection_arn" {
  description = "The CodeStar (CodeConnections) connection to the source repository, created and authorised in the console once."
  type        = string
}

variable "source_repository" {
  description = "The source repository as the connection names it, owner/name."
  type        = string
}

variable "source_branch" {
  description = "The branch the pipeline builds and deploys."
  type        = string
  default     = "main"
}
