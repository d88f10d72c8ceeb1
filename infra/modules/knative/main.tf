# Knative Serving on Istio, as knative/ expects it: knative/base/gateway.yaml is a Gateway API
# Gateway of class "istio" whose HTTPRoutes send each path to Knative's cluster-local gateway
# (knative-local-gateway in istio-system, made by Knative's Istio networking layer).
#
# Installed with helm_release, not kubectl/null_resource steps: a release is declared, versioned,
# diffed by `terraform plan`, upgraded in place and removed by `terraform destroy`, while a
# local-exec step runs once, leaves nothing in the state to compare against and needs kubectl and
# a kubeconfig where Terraform runs. Knative publishes no Helm chart for Serving itself but one
# for its operator, which owns Serving's CRDs and upgrades from one KnativeServing object; that
# object is a release of a local chart (./chart), because a Helm release, unlike a
# kubernetes_manifest, does not need the operator's CRD to exist when the plan is made.
#
# The one exception is the Gateway API CRDs: upstream publishes them only as a YAML file, so they
# are applied with kubectl (server-side, idempotent) from a terraform_data step that re-runs when
# the version changes.

resource "terraform_data" "gateway_api_crds" {
  triggers_replace = [var.gateway_api_version]

  provisioner "local-exec" {
    command = <<-EOT
      set -eu
      kubeconfig="$(mktemp)"
      trap 'rm -f "$kubeconfig"' EXIT
      aws eks update-kubeconfig --name "${var.cluster_name}" --region "${var.region}" --kubeconfig "$kubeconfig"
      kubectl --kubeconfig "$kubeconfig" apply --server-side \
        -f "https://github.com/kubernetes-sigs/gateway-api/releases/download/${var.gateway_api_version}/standard-install.yaml"
    EOT
  }
}

resource "helm_release" "istio_base" {
  name             = "istio-base"
  repository       = "https://istio-release.storage.googleapis.com/charts"
  chart            = "base"
  version          = var.istio_version
  namespace        = "istio-system"
  create_namespace = true

  depends_on = [terraform_data.gateway_api_crds]
}

resource "helm_release" "istiod" {
  name       = "istiod"
  repository = "https://istio-release.storage.googleapis.com/charts"
  chart      = "istiod"
  version    = var.istio_version
  namespace  = helm_release.istio_base.namespace
  wait       = true
}

resource "helm_release" "operator" {
  name             = "knative-operator"
  repository       = "https://knative.github.io/operator"
  chart            = "knative-operator"
  version          = var.operator_version
  namespace        = "knative-operator"
  create_namespace = true
  wait             = true
}

resource "helm_release" "serving" {
  name             = "knative-serving"
  chart            = "${path.module}/chart"
  namespace        = "knative-serving"
  create_namespace = true
  wait             = true

  depends_on = [helm_release.operator, helm_release.istiod]
}
