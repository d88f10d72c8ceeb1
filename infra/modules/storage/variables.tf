variable "bucket_name" {
  description = "The data bucket's name."
  type        = string
}

variable "staging_expiry_days" {
  description = "Days objects under staging/ live."
  type        = number
}

variable "athena_results_expiry_days" {
  description = "Days objects under athena-results/ live."
  type        = number
}

variable "results_expiry_days" {
  description = "Days objects under results/ live."
  type        = number
}

variable "multipart_abort_days" {
  description = "Days before an incomplete multipart upload is aborted."
  type        = number
}

variable "noncurrent_version_days" {
  description = "Days a replaced or deleted object's old version is kept (the undo window)."
  type        = number
  default     = 30
}
