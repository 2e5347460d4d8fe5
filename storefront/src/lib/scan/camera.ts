/**
 * Reads QR codes in the browser: the BarcodeDetector API where the browser
 * has it (Chrome on Android), else jsQR over frames drawn on a canvas. The
 * same decoder reads a photo chosen from the phone (`decodeImage`), for
 * a camera that is refused or broken.
 */
type Detector = { detect(source: CanvasImageSource): Promise<{ rawValue: string }[]> };
type DetectorClass = { new (opts: { formats: string[] }): Detector; getSupportedFormats?: () => Promise<string[]> };

/** Frames are read this often: fast enough to feel instant, slow enough to leave a phone's CPU alone. */
export const frameIntervalMs = 120;
/** The same code held in front of the camera is read once, not once per frame. */
export const sameCodeQuietMs = 2_500;

async function nativeDetector(): Promise<Detector | null> {
  const D = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  if (!D) return null;
  try {
    const formats = (await D.getSupportedFormats?.()) ?? ['qr_code'];
    return formats.includes('qr_code') ? new D({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

/** The text of the first QR code in what `canvas` shows, or null. */
async function decodeCanvas(canvas: HTMLCanvasElement, detector: Detector | null): Promise<string | null> {
  if (detector) {
    const found = await detector.detect(canvas).catch(() => []);
    if (found[0]) return found[0].rawValue;
  }
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return null;
  const { default: jsQR } = await import('jsqr');
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  return jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

export type Camera = { stop: () => void; engine: 'native' | 'jsqr' };

export async function startCamera(video: HTMLVideoElement, onText: (text: string) => void): Promise<Camera> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
  video.srcObject = stream;
  video.setAttribute('playsinline', 'true');
  await video.play();
  const detector = await nativeDetector();
  const canvas = document.createElement('canvas');
  let stopped = false;
  let last = { text: '', at: 0 };
  const frame = async () => {
    if (stopped) return;
    if (video.readyState >= 2 && video.videoWidth > 0) {
      // A smaller copy is enough for a QR code that fills part of the view, and much cheaper to scan.
      const scale = Math.min(1, 720 / Math.max(video.videoWidth, video.videoHeight));
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
      const text = await decodeCanvas(canvas, detector);
      const now = Date.now();
      if (text && (text !== last.text || now - last.at > sameCodeQuietMs)) {
        last = { text, at: now };
        onText(text);
      }
    }
    if (!stopped) setTimeout(frame, frameIntervalMs);
  };
  void frame();
  return {
    engine: detector ? 'native' : 'jsqr',
    stop: () => {
      stopped = true;
      for (const track of stream.getTracks()) track.stop();
      video.srcObject = null;
    },
  };
}

/** A photo of a ticket (file input), decoded like a camera frame. */
export async function decodeImage(file: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement('canvas');
  const scale = Math.min(1, 1200 / Math.max(bitmap.width, bitmap.height));
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return decodeCanvas(canvas, await nativeDetector());
}

/** A short beep (WebAudio) and a buzz: one high tone for yes, two low ones for no. */
export function signal(ok: boolean): void {
  try {
    navigator.vibrate?.(ok ? 80 : [120, 80, 120]);
  } catch {
    // Vibration refused (desktop, iOS): the screen and the sound still tell.
  }
  const Ctx = (globalThis as { AudioContext?: typeof AudioContext }).AudioContext;
  if (!Ctx) return;
  try {
    const audio = new Ctx();
    const tones = ok ? [{ f: 1_320, at: 0, d: 0.12 }] : [{ f: 220, at: 0, d: 0.15 }, { f: 180, at: 0.2, d: 0.2 }];
    for (const tone of tones) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = tone.f;
      osc.type = ok ? 'sine' : 'square';
      gain.gain.setValueAtTime(0.2, audio.currentTime + tone.at);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + tone.at + tone.d);
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + tone.at);
      osc.stop(audio.currentTime + tone.at + tone.d);
    }
    setTimeout(() => void audio.close(), 800);
  } catch {
    // No sound output: fine.
  }
}
