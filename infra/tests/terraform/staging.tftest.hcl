# Values only the staging stack has (run with common.tftest.hcl).

mock_provider "aws" {
  source = "./tests/mocks"
}

run "staging_sizes" {
  command = apply

  assert {
    # Unset: null under the mock, -1 ("unreserved", the provider's default) against AWS.
    condition     = coalesce(aws_lambda_function.loader_function_D2F35E59.reserved_concurrent_executions, -1) == -1
    error_message = "Staging reserves no concurrency: it must deploy on accounts with a quota of 10."
  }
  assert {
    condition     = aws_sns_topic_subscription.notifications_email-0_F38D989F.filter_policy == null
    error_message = "Staging's subscribers receive every message."
  }
  assert {
    condition     = aws_redshiftserverless_workgroup.warehouse_workgroup_69043453.base_capacity == 8
    error_message = "Staging's base capacity is 8 RPU."
  }
}
