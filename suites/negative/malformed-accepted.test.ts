/** R3 refused requests on interactions in state Accepted (suites/support/malformed-scenarios.ts). */
import { describe } from "vitest";
import { malformedRequestScenarios } from "../support/malformed-scenarios.js";

describe.concurrent("R3 refused requests in Accepted", () => malformedRequestScenarios("Accepted"));
