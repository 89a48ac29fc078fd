/** R3 refused requests on interactions in state Invited (suites/support/malformed-scenarios.ts). */
import { describe } from "vitest";
import { malformedRequestScenarios } from "../support/malformed-scenarios.js";

describe.concurrent("R3 refused requests in Invited", () => malformedRequestScenarios("Invited"));
