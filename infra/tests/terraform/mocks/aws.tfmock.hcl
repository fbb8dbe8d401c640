# Values the mocked hashicorp/aws provider returns in `terraform test` (no credentials, no AWS).
# The provider validates ARNs and policy JSON even under a mock, so these computed attributes get
# well-formed values; everything else is generated.

mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}

mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}

mock_resource "aws_sns_topic" {
  defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:mock-topic" }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:mock-queue"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/mock-queue"
  }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    key_id = "00000000-0000-0000-0000-000000000000"
  }
}

mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock" }
}

mock_resource "aws_lambda_function" {
  defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:mock" }
}

mock_resource "aws_redshiftserverless_workgroup" {
  defaults = { arn = "arn:aws:redshift-serverless:eu-west-1:123456789012:workgroup/mock" }
}

mock_resource "aws_flow_log" {
  defaults = { arn = "arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/fl-mock" }
}
