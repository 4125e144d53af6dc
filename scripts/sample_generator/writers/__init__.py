"""The export writers, one per export folder; each module describes the format it writes."""

from __future__ import annotations

from sample_generator.output import Writer
from sample_generator.writers.anthropic import AnthropicCostWriter, AnthropicUsageWriter
from sample_generator.writers.aws_cur import AwsCurWriter
from sample_generator.writers.azure_cost import AzureWriter
from sample_generator.writers.cursor import CursorWriter
from sample_generator.writers.gcp_billing import GcpWriter
from sample_generator.writers.github_copilot import CopilotWriter
from sample_generator.writers.openai import OpenAICostWriter, OpenAIUsageWriter
from sample_generator.writers.project_exports import ActivityWriter, GatewayWriter, SeatsWriter


WRITERS: dict[str, type[Writer]] = {
    "openai/usage_completions": OpenAIUsageWriter,
    "openai/costs": OpenAICostWriter,
    "anthropic/usage_messages": AnthropicUsageWriter,
    "anthropic/cost_report": AnthropicCostWriter,
    "aws_cur": AwsCurWriter,
    "azure_cost": AzureWriter,
    "gcp_billing": GcpWriter,
    "github_copilot": CopilotWriter,
    "cursor/usage_events": CursorWriter,
    "seats": SeatsWriter,
    "activity": ActivityWriter,
    "gateway": GatewayWriter,
}
