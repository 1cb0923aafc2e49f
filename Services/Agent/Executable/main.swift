// fjord-agent: ships logs to Fjord (or Loki) the way Promtail does. See docs/agent.md.
import FjordAgent
import FjordRuntime

await AgentRole.main(version: FjordVersion.buildInfo.version)
