# Logs and alarms. Container logs reach CloudWatch through the EKS add-on
# amazon-cloudwatch-observability (Fluent Bit), into /aws/containerinsights/<cluster>/application;
# the group is made here first so its retention is ours. Fluent Bit keeps each JSON line parsed
# under log_processed, so csvlake's request log line (one per request: function, route, status,
# latency ...) becomes the metrics below, per function, and the alarms read those.

locals {
  application_logs = "/aws/containerinsights/${var.cluster_name}/application"
  namespace        = "csvlake"
}

resource "aws_cloudwatch_log_group" "application" {
  name              = local.application_logs
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_group" "dataplane" {
  name              = "/aws/containerinsights/${var.cluster_name}/dataplane"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_group" "performance" {
  name              = "/aws/containerinsights/${var.cluster_name}/performance"
  retention_in_days = var.log_retention_days
}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "agent_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = ["system:serviceaccount:amazon-cloudwatch:cloudwatch-agent"]
    }
  }
}

resource "aws_iam_role" "agent" {
  name               = "${var.name}-cloudwatch-agent"
  assume_role_policy = data.aws_iam_policy_document.agent_trust.json
}

resource "aws_iam_role_policy_attachment" "agent" {
  role       = aws_iam_role.agent.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/CloudWatchAgentServerPolicy"
}

resource "aws_eks_addon" "cloudwatch" {
  cluster_name             = var.cluster_name
  addon_name               = "amazon-cloudwatch-observability"
  service_account_role_arn = aws_iam_role.agent.arn

  depends_on = [aws_cloudwatch_log_group.application, aws_cloudwatch_log_group.dataplane, aws_cloudwatch_log_group.performance]
}

resource "aws_cloudwatch_log_metric_filter" "requests" {
  name           = "${var.name}-requests"
  log_group_name = aws_cloudwatch_log_group.application.name
  pattern        = "{ $.log_processed.status = * }"

  metric_transformation {
    name       = "Requests"
    namespace  = local.namespace
    value      = "1"
    unit       = "Count"
    dimensions = { Function = "$.log_processed.function" }
  }
}

resource "aws_cloudwatch_log_metric_filter" "server_errors" {
  name           = "${var.name}-5xx"
  log_group_name = aws_cloudwatch_log_group.application.name
  pattern        = "{ $.log_processed.status >= 500 }"

  metric_transformation {
    name       = "ServerErrors"
    namespace  = local.namespace
    value      = "1"
    unit       = "Count"
    dimensions = { Function = "$.log_processed.function" }
  }
}

resource "aws_sns_topic" "alarms" {
  name = "${var.name}-alarms"
}

resource "aws_sns_topic_subscription" "email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

# A function's share of 5xx answers over 5 minutes; no requests is not an alarm.
resource "aws_cloudwatch_metric_alarm" "error_rate" {
  for_each            = toset(var.functions)
  alarm_name          = "${var.name}-${each.key}-5xx-rate"
  alarm_description   = "More than ${var.error_rate_threshold * 100}% of ${each.key}'s answers were 5xx over 5 minutes."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.error_rate_threshold
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "rate"
    expression  = "IF(requests > 0, errors / requests, 0)"
    label       = "5xx share"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = local.namespace
      metric_name = aws_cloudwatch_log_metric_filter.server_errors.metric_transformation[0].name
      dimensions  = { Function = each.key }
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "requests"

    metric {
      namespace   = local.namespace
      metric_name = aws_cloudwatch_log_metric_filter.requests.metric_transformation[0].name
      dimensions  = { Function = each.key }
      period      = 300
      stat        = "Sum"
    }
  }
}

# Any ingest that failed, timed out or was aborted: each is a user's job that did not load.
resource "aws_cloudwatch_metric_alarm" "ingest" {
  for_each            = toset(["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"])
  alarm_name          = "${var.name}-ingest-${each.key}"
  alarm_description   = "The ingest state machine reported ${each.key} in the last 5 minutes."
  namespace           = "AWS/States"
  metric_name         = each.key
  dimensions          = { StateMachineArn = var.state_machine_arn }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}
