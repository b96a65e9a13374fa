/**
 * The dashboards' browser code (every page): signing in with the browser wallet (EIP-1193 +
 * EIP-4361; the server writes the message, the wallet only signs it), live updates over
 * server-sent events, and charts through the chart module, loaded only where a page has one.
 */
interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

declare global {
  interface Window {
    ethereum?: Eip1193;
  }
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw new Error(String(answer.error ?? response.statusText));
  return answer;
}

async function signIn(button: HTMLButtonElement, errorBox: HTMLElement): Promise<void> {
  errorBox.hidden = true;
  try {
    const wallet = window.ethereum;
    if (!wallet) throw new Error(errorBox.dataset.noWallet ?? "no wallet");
    button.disabled = true;
    const [address] = (await wallet.request({ method: "eth_requestAccounts" })) as string[];
    const { message } = await post("/auth/nonce", { address });
    const signature = await wallet.request({ method: "personal_sign", params: [message, address] });
    await post("/auth/verify", { message, signature });
    // Only a path on this site: never follow ?next= elsewhere (an open redirect).
    const next = new URLSearchParams(location.search).get("next") ?? "/";
    location.assign(/^\/(?![/\\])/.test(next) ? next : "/");
  } catch (error) {
    errorBox.textContent = (error as Error).message;
    errorBox.hidden = false;
    button.disabled = false;
  }
}

async function drawCharts(root: ParentNode): Promise<void> {
  if (!root.querySelector("[data-chart]")) return;
  const { renderCharts } = await import("./charts.js");
  renderCharts(root);
}

/**
 * Re-reads the page after a new block and swaps its content in, keeping the scroll position. A
 * block announced while a read is under way is not dropped: one more read follows it.
 */
let refreshing = false;
let again = false;
async function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    do {
      again = false;
      const response = await fetch(location.href, { credentials: "same-origin" });
      if (response.status === 401 || response.status === 403) {
        location.reload(); // the server says why (suspended, signed out)
        return;
      }
      if (!response.ok) continue;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const next = page.getElementById("main");
      const main = document.getElementById("main");
      if (!next || !main) return;
      main.replaceChildren(...Array.from(next.childNodes));
      await drawCharts(main);
    } while (again);
  } finally {
    refreshing = false;
  }
}

function live(): void {
  const head = document.getElementById("head-number");
  if (!head || !document.getElementById("who")) return;
  const events = new EventSource("/events");
  events.addEventListener("block", (event) => {
    const { number, hash } = JSON.parse((event as MessageEvent).data) as { number: string; hash: string };
    head.textContent = number;
    head.parentElement!.title = hash;
    void refresh();
  });
}

// A date filter's chosen day as YYYY-MM-DD beside its caption (the format while none is), whatever
// locale the browser draws the input in: the server writes the applied one, this follows the input.
document.addEventListener("input", (event) => {
  const input = event.target as HTMLInputElement;
  if (input.type !== "date" || !input.closest("form.filters")) return;
  const output = input.parentElement?.querySelector("output.date-value");
  if (output) output.textContent = input.value || "YYYY-MM-DD";
});

const button = document.getElementById("sign-in") as HTMLButtonElement | null;
if (button) button.addEventListener("click", () => void signIn(button, document.getElementById("sign-in-error")!));
void drawCharts(document);
live();

export {};
