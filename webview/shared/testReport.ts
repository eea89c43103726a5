/**
 * A view's test report (src/protocol/testReports.ts): off until the host asks for it, which it
 * does only in test mode; from then on the view sends one after each render. For people nothing
 * of it runs.
 */
export class TestReporter<Report> {
  private asked = false;

  constructor(private readonly send: (report: Report) => void) {}

  /** The host asked (`reportForTests`). */
  start(): void {
    this.asked = true;
  }

  get active(): boolean {
    return this.asked;
  }

  /** Sends the report `make` builds, if the host asked for reports. */
  report(make: () => Report): void {
    if (this.asked) this.send(make());
  }
}
