variable "name" {
  description = "Prefix of the resource names."
  type        = string
}

variable "cidr" {
  description = "The VPC's address range."
  type        = string
}

variable "availability_zones" {
  description = "How many zones to span (2 or more)."
  type        = number
}

variable "cluster_name" {
  description = "The EKS cluster whose load balancers may use these subnets (subnet tags)."
  type        = string
}
