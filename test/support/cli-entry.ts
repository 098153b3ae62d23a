// Runs the CLI from source in a real process (as bin/gatehouse.js does from dist/).
import { processIo, runCli } from '../../src/cli.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
