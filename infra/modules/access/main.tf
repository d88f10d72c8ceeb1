# The roles csvlake's code runs as, each allowing what the code calls and no more
# (infra/iam-actions.ts derives the actions from the SDK calls in functions/core/adapters/aws/;
# infra/terraform.test.ts checks the policies below against it):
# - one role per function, for its service account (IAM roles for service accounts). Every
#   function builds all of aws mode's services at start (run-function.ts -> aws-main.ts), so each
#   calls S3, Step Functions and STS with its own credentials; the roles are separate so that
#   CloudTrail names the function and one can be narrowed without touching the others;
# - the tenant role, which the functions assume for each tenant's Glue and Athena calls with a
#   session policy naming that tenant (adapters/aws/tenant-session-policy.ts): the role allows the
#   union over tenants, each session only its own;
# - the prepare Jobs' role (the ingest's stage and convert steps on EKS).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  account   = data.aws_caller_identity.current.account_id
  glue      = "arn:${local.partition}:glue:${local.region}:${local.account}"
  # Executions of the state machine: arn:...:execution:<machine>:<name>.
  executions = "${replace(var.state_machine_arn, ":stateMachine:", ":execution:")}:*"
}

# --- the functions' roles (IRSA) ---------------------------------------------------------------

data "aws_iam_policy_document" "function_trust" {
  for_each = toset(var.functions)

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${var.name}-${each.key}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  for_each           = toset(var.functions)
  name               = "${var.name}-fn-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.function_trust[each.key].json
}

data "aws_iam_policy_document" "function" {
  # Every prefix: the functions write records, uploads and results under keys they build from
  # the tenant they resolved (README "Running on AWS"). Upload's multipart calls are s3:PutObject.
  statement {
    sid       = "Objects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arn}/*"]
  }

  statement {
    sid       = "List"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
  }

  statement {
    sid       = "StartIngest"
    actions   = ["states:StartExecution"]
    resources = [var.state_machine_arn]
  }

  statement {
    sid       = "FollowIngest"
    actions   = ["states:DescribeExecution", "states:GetExecutionHistory"]
    resources = [local.executions]
  }

  statement {
    sid       = "BecomeTenant"
    actions   = ["sts:AssumeRole"]
    resources = [aws_iam_role.tenant.arn]
  }
}

resource "aws_iam_role_policy" "function" {
  for_each = aws_iam_role.function
  name     = "csvlake"
  role     = each.value.id
  policy   = data.aws_iam_policy_document.function.json
}

# --- the tenant role ---------------------------------------------------------------------------

data "aws_iam_policy_document" "tenant_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [for role in aws_iam_role.function : role.arn]
    }
  }
}

resource "aws_iam_role" "tenant" {
  name               = "${var.name}-tenant"
  assume_role_policy = data.aws_iam_policy_document.tenant_trust.json
  # STS's longest session for a role assumed by a role is an hour anyway (role chaining).
  max_session_duration = 3600
}

data "aws_iam_policy_document" "tenant" {
  # csvlake_<tenant> databases, made at a tenant's first table (glue:CreateDatabase). GetDatabase:
  # Athena reads the catalog with the caller's credentials. Table versions are the tables' history
  # (GetTableVersions), and the retention deletes old ones (BatchDeleteTableVersion).
  statement {
    sid       = "Catalog"
    actions   = ["glue:GetDatabase", "glue:CreateDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable", "glue:DeleteTable", "glue:GetTableVersions", "glue:BatchDeleteTableVersion"]
    resources = ["${local.glue}:catalog", "${local.glue}:database/${var.name}_*", "${local.glue}:table/${var.name}_*/*"]
  }

  statement {
    sid = "Queries"
    actions = [
      "athena:StartQueryExecution",
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:GetQueryRuntimeStatistics",
      "athena:StopQueryExecution",
    ]
    resources = ["arn:${local.partition}:athena:${local.region}:${local.account}:workgroup/${var.workgroup_name}"]
  }

  # Athena reads the tables' Parquet and writes each query's result with the caller's credentials.
  statement {
    sid       = "QueryReads"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arn}/lake/*", "${var.bucket_arn}/athena-results/*"]
  }

  statement {
    sid       = "QueryResults"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arn}/athena-results/*"]
  }

  statement {
    sid       = "QueryBucket"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.bucket_arn]
  }
}

resource "aws_iam_role_policy" "tenant" {
  name   = "csvlake"
  role   = aws_iam_role.tenant.id
  policy = data.aws_iam_policy_document.tenant.json
}

# --- the prepare Jobs' role (IRSA) -------------------------------------------------------------

data "aws_iam_policy_document" "prepare_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${var.jobs_namespace}:${var.prepare_service_account}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "prepare" {
  name               = "${var.name}-prepare"
  assume_role_policy = data.aws_iam_policy_document.prepare_trust.json
}

# Written by hand, and checked against the calls the prepare program makes (infra/prepare-role.test.ts
# runs it and evaluates this policy for each). The stage step reads the upload (raw/) and the job's
# index entry (jobs/) and writes staging/ (measuring the tenant's storage by listing, when a quota
# bounds how far a .csv.gz inflates); the convert step reads the crawled table from Glue (and, for
# an append, the tenant's table), reads staging/ and writes the Parquet part under lake/ and its
# outcome under staging/.
data "aws_iam_policy_document" "prepare" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arn}/raw/*", "${var.bucket_arn}/jobs/*", "${var.bucket_arn}/staging/*"]
  }

  statement {
    sid       = "Write"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${var.bucket_arn}/staging/*", "${var.bucket_arn}/lake/*"]
  }

  statement {
    sid       = "List"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
  }

  # The staging database's crawled tables and the tenants' tables: csvlake_staging_<tenant> and
  # csvlake_<tenant> (functions/core/tenant.ts).
  statement {
    sid       = "Tables"
    actions   = ["glue:GetTable"]
    resources = ["${local.glue}:catalog", "${local.glue}:database/${var.name}_*", "${local.glue}:table/${var.name}_*/*"]
  }
}

resource "aws_iam_role_policy" "prepare" {
  name   = "csvlake"
  role   = aws_iam_role.prepare.id
  policy = data.aws_iam_policy_document.prepare.json
}
