variable "name" {
  description = "The cluster's name (CSVLAKE_EKS_CLUSTER) and the prefix of its roles."
  type        = string
}

variable "kubernetes_version" {
  description = "The control plane's Kubernetes version."
  type        = string
}

variable "private_subnet_ids" {
  description = "Subnets of the nodes."
  type        = list(string)
}

variable "public_subnet_ids" {
  description = "Subnets for internet-facing load balancers."
  type        = list(string)
}

variable "node_instance_types" {
  description = "Instance types of the node group."
  type        = list(string)
}

variable "node_count" {
  description = "Nodes: min, desired and max."
  type        = object({ min = number, desired = number, max = number })
}

variable "cluster_admin_arns" {
  description = "IAM principals given cluster-admin."
  type        = list(string)
}

variable "log_retention_days" {
  description = "Retention of the control plane's log group."
  type        = number
}
