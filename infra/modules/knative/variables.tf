variable "cluster_name" {
  description = "The EKS cluster (for the one kubectl step)."
  type        = string
}

variable "region" {
  description = "The cluster's region."
  type        = string
}

variable "operator_version" {
  description = "The knative-operator chart's version."
  type        = string
}

variable "istio_version" {
  description = "The Istio charts' version (base, istiod)."
  type        = string
}

variable "gateway_api_version" {
  description = "The Gateway API release whose standard CRDs are installed, e.g. v1.2.1."
  type        = string
}
