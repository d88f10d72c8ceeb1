variable "repositories" {
  description = "The repositories' names, one per image."
  type        = list(string)
}

variable "keep_images" {
  description = "Images kept per repository (older ones expire)."
  type        = number
  default     = 30
}
