variable "region" {
  description = "The region of the state bucket."
  type        = string
}

variable "state_bucket" {
  description = "The state bucket's name (globally unique)."
  type        = string
}
