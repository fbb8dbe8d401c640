export {
  type ActivityPoint,
  DashboardData,
  type DeadLetterRow,
  type FailureExample,
  type FailureGroup,
  type Freshness,
  type LatencyPoint,
  type Overview,
  type Range,
} from './api.js';
export { DashboardError } from './errors.js';
export { type ReplayResult, replayDeadLetter } from './replay.js';
export { type Dashboard, type DashboardOptions, DEFAULT_PORT, startDashboard } from './server.js';
