// Reading a QR code with the camera: the browser's BarcodeDetector where it has one, else jsQR (vendored
// from npm at build time, static/webapp/vendor/jsQR.js). The video never leaves the page.

export class CameraError extends Error {
  constructor(code) { super(code); this.code = code; }  // "denied", "no_camera", "unavailable"
}

async function detector() {
  if (typeof window.BarcodeDetector === "function") {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const native = new window.BarcodeDetector({ formats: ["qr_code"] });
        return async (video) => {
          const found = await native.detect(video);
          return found.length ? found[0].rawValue : null;
        };
      }
    } catch (e) { /* fall back to jsQR */ }
  }
  if (typeof window.jsQR !== "function") throw new CameraError("unavailable");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async (video) => {
    const width = video.videoWidth, height = video.videoHeight;
    if (!width || !height) return null;
    const scale = Math.min(1, 800 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
    return found ? found.data : null;
  };
}

// Shows the camera in ``video`` until a QR code is read; ``accept(text)`` returns true to stop there
// (false: not one of ours, keep looking; it may show a message). Resolves with the text.
export async function scan(video, { accept = () => true, signal } = {}) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new CameraError("unavailable");
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (error) {
    const name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") throw new CameraError("denied");
    if (name === "NotFoundError" || name === "OverconstrainedError" || name === "NotReadableError") {
      throw new CameraError("no_camera");
    }
    throw new CameraError("unavailable");
  }
  const stop = () => stream.getTracks().forEach((track) => track.stop());
  if (signal && signal.aborted) {  // stopped while the browser asked for the camera: the video is not ours
    stop();
    throw new CameraError("cancelled");
  }
  // Off the moment the scan is stopped, not at the loop's next turn: a phone may not open its camera
  // twice, and the light must go out when the person leaves.
  if (signal) signal.addEventListener("abort", stop, { once: true });
  try {
    video.srcObject = stream;
    video.setAttribute("playsinline", "");
    video.muted = true;
    await video.play();
    const read = await detector();
    let last = "";
    while (!(signal && signal.aborted)) {
      const text = await read(video).catch(() => null);
      if (text && text !== last) {
        last = text;
        if (await accept(text)) return text;
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw new CameraError("cancelled");
  } finally {
    if (signal) signal.removeEventListener("abort", stop);
    stop();
    if (video.srcObject === stream) video.srcObject = null;  // not a newer scan's stream
  }
}
