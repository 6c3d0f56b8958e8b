/**
 * A global progress bar for work in flight. It shows only when something takes longer
 * than a moment, so quick calls do not flicker.
 */
const SHOW_AFTER_MS = 250;

class BusyIndicator {
  private pending = 0;
  private timer: number | undefined;

  start(): () => void {
    this.pending += 1;
    if (this.pending === 1) this.timer = window.setTimeout(() => this.render(true), SHOW_AFTER_MS);
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      this.pending -= 1;
      if (this.pending === 0) {
        window.clearTimeout(this.timer);
        this.render(false);
      }
    };
  }

  private render(visible: boolean): void {
    const bar = document.getElementById("busy");
    if (!bar) return;
    bar.hidden = !visible;
    document.body.setAttribute("aria-busy", String(visible));
  }
}

export const busy = new BusyIndicator();
