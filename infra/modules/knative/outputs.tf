output "serving_namespace" {
  description = "Knative Serving's namespace."
  value       = helm_release.serving.namespace
}

output "istio_namespace" {
  description = "Istio's namespace (the public Gateway's load balancer and knative-local-gateway)."
  value       = helm_release.istiod.namespace
}
