variable "name" {
  description = "Prefix of the role's name; the workgroup's name."
  type        = string
}

variable "bucket_name" {
  description = "The data bucket."
  type        = string
}

variable "bucket_arn" {
  description = "The data bucket's ARN."
  type        = string
}

variable "bytes_scanned_cutoff" {
  description = "The workgroup's bytes-scanned cutoff per query."
  type        = number
}
