# The Glue crawler role (CSVLAKE_CRAWLER_ROLE_ARN) and the Athena workgroup
# (CSVLAKE_ATHENA_WORKGROUP). The Glue databases are made at run time, one per tenant
# (glue:CreateDatabase on the tenant role and the state machine's role), so none is declared here.

data "aws_partition" "current" {}

data "aws_iam_policy_document" "crawler_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "crawler" {
  name               = "${var.name}-glue-crawler"
  assume_role_policy = data.aws_iam_policy_document.crawler_trust.json
}

# Glue's own service role policy: the catalog writes and logs a crawl makes.
resource "aws_iam_role_policy_attachment" "crawler_service" {
  role       = aws_iam_role.crawler.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSGlueServiceRole"
}

# A crawler reads only the staged copies of uploads (staging/{tenant}/{jobId}/).
data "aws_iam_policy_document" "crawler_s3" {
  statement {
    sid       = "ReadStaging"
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arn}/staging/*"]
  }

  statement {
    sid       = "ListStaging"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["staging/*"]
    }
  }
}

resource "aws_iam_role_policy" "crawler_s3" {
  name   = "read-staging"
  role   = aws_iam_role.crawler.id
  policy = data.aws_iam_policy_document.crawler_s3.json
}

# Not enforcing its configuration: csvlake sets each tenant's OutputLocation
# (s3://bucket/athena-results/<tenant>/), which the tenant session policy names; an enforced
# workgroup would override it with the shared location below. The cutoff is the hard bound per
# query; CSVLAKE_ATHENA_MAX_SCANNED_BYTES is csvlake's own, explained one.
resource "aws_athena_workgroup" "this" {
  name          = var.name
  force_destroy = false

  configuration {
    enforce_workgroup_configuration    = false
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff

    result_configuration {
      output_location = "s3://${var.bucket_name}/athena-results/"

      encryption_configuration {
        encryption_option = "SSE_S3"
      }
    }

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }
  }
}
