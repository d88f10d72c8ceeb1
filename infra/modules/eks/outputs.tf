output "cluster_name" {
  description = "CSVLAKE_EKS_CLUSTER."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "The cluster's ARN (IAM policies of who may describe it)."
  value       = aws_eks_cluster.this.arn
}

output "endpoint" {
  description = "CSVLAKE_EKS_ENDPOINT: the API server's https URL."
  value       = aws_eks_cluster.this.endpoint
}

output "certificate_authority" {
  description = "CSVLAKE_EKS_CA_DATA: the cluster's CA, base64, as DescribeCluster answers it."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "oidc_provider_arn" {
  description = "The IAM OIDC provider that service-account roles trust."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "oidc_issuer" {
  description = "The issuer without https://, as IAM condition keys name it (<issuer>:sub)."
  value       = replace(aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")
}

output "node_group" {
  description = "The managed node group (other modules wait for it)."
  value       = aws_eks_node_group.default.id
}
