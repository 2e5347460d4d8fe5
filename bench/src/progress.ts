/**
 * What the operator sees while a bench runs, on stderr (stdout stays for the
 * table and the JSON line). On a terminal: a numbered step per measured load
 * and a bar per phase (warm-up, measured) that fills as the seconds pass. In a
 * pipe or a log file: the same steps as plain lines, one when each phase
 * starts, no escape codes. No dependency: a bar is a few characters redrawn
 * with a carriage return.
 */

const barWidth = 28;
const tty = () => process.stderr.isTTY === true;

let stepsPlanned = 0;
let stepsDone = 0;

/** How many measured loads this run will have: steps then read "[3/18]". 0 hides the counter. */
export function planSteps(total: number): void {
  stepsPlanned = total;
  stepsDone = 0;
}

/** The next step's "[k/N] " prefix (empty when no plan was given). */
export function nextStep(): string {
  if (stepsPlanned <= 0) return '';
  stepsDone = Math.min(stepsDone + 1, stepsPlanned);
  return `[${stepsDone}/${stepsPlanned}] `;
}

/** A progress line on stderr. */
export function progress(line: string): void {
  if (tty()) process.stderr.write(`\r\x1b[K[bench] ${line}\n`);
  else process.stderr.write(`[bench] ${line}\n`);
}

export type Phase = { name: string; seconds: number };

/** `██████░░░░` for `done` of `total`, `width` cells wide. */
export function bar(done: number, total: number, width = barWidth): string {
  const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const full = Math.round(share * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** The bar's line for `elapsedS` into the phases: which phase, its bar, its seconds. */
export function phaseLine(label: string, phases: Phase[], elapsedS: number): string {
  let start = 0;
  for (const [i, phase] of phases.entries()) {
    const last = i === phases.length - 1;
    if (elapsedS < start + phase.seconds || last) {
      const inPhase = Math.min(phase.seconds, Math.max(0, elapsedS - start));
      return `${label}  ${phase.name.padEnd(8)} ${bar(inPhase, phase.seconds)} ${Math.floor(inPhase)}/${phase.seconds} s`;
    }
    start += phase.seconds;
  }
  return label;
}

/**
 * A live bar through the phases of one load (warm-up, then measured) on a
 * terminal; plain lines at each phase start otherwise. Returns the function
 * that clears it when the load is over.
 */
export function phaseBar(label: string, phases: Phase[]): () => void {
  const shown = phases.filter((p) => p.seconds > 0);
  const started = Date.now();
  if (!tty()) {
    let at = 0;
    const timers = shown.map((phase) => {
      const delay = at * 1000;
      at += phase.seconds;
      return setTimeout(() => process.stderr.write(`[bench] ${label}: ${phase.name}, ${phase.seconds} s\n`), delay);
    });
    return () => timers.forEach(clearTimeout);
  }
  const draw = () => process.stderr.write(`\r\x1b[K[bench] ${phaseLine(label, shown, (Date.now() - started) / 1000)}`);
  draw();
  const timer = setInterval(draw, 250);
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  };
}

/** A warm-up (if any) then the measured run, as one bar; the step counter advances. */
export function countdown(label: string, seconds: number, warmupS = 0): () => void {
  return phaseBar(`${nextStep()}${label}`, [
    { name: 'warm-up', seconds: warmupS },
    { name: 'measured', seconds: Math.max(0, seconds - warmupS) },
  ]);
}
