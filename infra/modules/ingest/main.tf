# The ingest state machine (CSVLAKE_INGEST_STATE_MACHINE_ARN), defined by the very file the local
# mode runs in process: statemachines/ingest.asl.json. Its role allows what the ASL's Task states
# call (infra/iam-actions.ts derives the list from the file; infra/terraform.test.ts checks that
# the "tasks" policy below allows exactly that), on csvlake's names only.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  account   = data.aws_caller_identity.current.account_id
  glue      = "arn:${local.partition}:glue:${local.region}:${local.account}"
  athena    = "arn:${local.partition}:athena:${local.region}:${local.account}"
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "state_machine" {
  name               = "${var.name}-ingest"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "tasks" {
  statement {
    sid       = "Crawlers"
    actions   = ["glue:CreateCrawler", "glue:StartCrawler", "glue:GetCrawler", "glue:StopCrawler", "glue:DeleteCrawler"]
    resources = ["${local.glue}:crawler/${var.name}-*"]
  }

  # Classifiers have no resource-level permissions in Glue: "*" is the only resource they take.
  statement {
    sid       = "Classifiers"
    actions   = ["glue:CreateClassifier", "glue:DeleteClassifier"]
    resources = ["*"]
  }

  # The tenants' databases and tables, and the staging databases the crawlers write
  # (csvlake_<tenant>, csvlake_staging_<tenant>). GetDatabase: Athena's check query reads the
  # catalog with this role's credentials.
  statement {
    sid       = "Catalog"
    actions   = ["glue:GetDatabase", "glue:CreateDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable"]
    resources = ["${local.glue}:catalog", "${local.glue}:database/${var.name}_*", "${local.glue}:table/${var.name}_*/*"]
  }

  # CreateCrawler passes the crawler role to Glue.
  statement {
    sid       = "PassCrawlerRole"
    actions   = ["iam:PassRole"]
    resources = [var.crawler_role_arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["glue.amazonaws.com"]
    }
  }

  # athena:startQueryExecution.sync starts, polls and (when the execution stops) stops the query.
  statement {
    sid       = "CheckQuery"
    actions   = ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:StopQueryExecution"]
    resources = ["${local.athena}:workgroup/${var.workgroup_name}"]
  }

  statement {
    sid       = "CheckQueryCatalog"
    actions   = ["athena:GetDataCatalog"]
    resources = ["${local.athena}:datacatalog/AwsDataCatalog"]
  }

  # Reads of the staged file, the conversion's outcome and the Parquet parts (by Athena's check
  # query too); the clean-up's deletes.
  statement {
    sid       = "ReadAndCleanUp"
    actions   = ["s3:GetObject", "s3:DeleteObject"]
    resources = ["${var.bucket_arn}/staging/*", "${var.bucket_arn}/lake/*"]
  }

  statement {
    sid       = "Bucket"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.bucket_arn]
  }

  # Athena writes the check query's result with this role's credentials.
  statement {
    sid       = "CheckQueryResults"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arn}/athena-results/*"]
  }
}

resource "aws_iam_role_policy" "tasks" {
  name   = "tasks"
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.tasks.json
}

# Log delivery for the state machine's own log group: these actions take no resource but "*"
# (Step Functions developer guide, "IAM policies for logging to CloudWatch Logs").
data "aws_iam_policy_document" "logging" {
  statement {
    sid = "LogDelivery"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "logging" {
  name   = "logging"
  role   = aws_iam_role.state_machine.id
  policy = data.aws_iam_policy_document.logging.json
}

resource "aws_cloudwatch_log_group" "state_machine" {
  name              = "/aws/vendedlogs/states/${var.name}-ingest"
  retention_in_days = var.log_retention_days
}

resource "aws_sfn_state_machine" "ingest" {
  name       = "${var.name}-ingest"
  role_arn   = aws_iam_role.state_machine.arn
  type       = "STANDARD"
  definition = file("${path.root}/../statemachines/ingest.asl.json")

  # Errors only, without execution data: inputs carry tenants' table and file names.
  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machine.arn}:*"
    include_execution_data = false
    level                  = "ERROR"
  }

  depends_on = [aws_iam_role_policy.tasks, aws_iam_role_policy.logging]
}

# The prepare Jobs run in the cluster as this role: Kubernetes RBAC, not IAM, allows them. An
# access entry with the edit policy, limited to the Jobs' namespace (create Jobs, read their
# pods and logs), is what eks:runJob.sync needs.
resource "aws_eks_access_entry" "state_machine" {
  cluster_name  = var.cluster_name
  principal_arn = aws_iam_role.state_machine.arn
}

resource "aws_eks_access_policy_association" "state_machine" {
  cluster_name  = var.cluster_name
  principal_arn = aws_eks_access_entry.state_machine.principal_arn
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"

  access_scope {
    type       = "namespace"
    namespaces = [var.jobs_namespace]
  }
}
