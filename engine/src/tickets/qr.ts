import QRCode, { type QRCodeSegment } from 'qrcode';

/**
 * QR images of ticket secrets. Error correction M (15 % of the code can be
 * lost: a crease or glare on a printed or phone-screen ticket) keeps the
 * symbol small; the secret's base32 text goes in alphanumeric mode, which
 * packs 5.5 bits a character instead of 8 in byte mode. The 4-module quiet
 * zone is the one the QR standard asks for.
 */
const errorCorrectionLevel = 'M';
const marginModules = 4;
/** Pixels per module in PNGs: big enough for email and print without resizing. */
const pngScale = 8;
const alphanumericPattern = /^[0-9A-Z $%*+\-./:]*$/;

/** Alphanumeric mode when the text allows it (every ticket secret does), byte mode otherwise. */
function segments(text: string): QRCodeSegment[] {
  return [alphanumericPattern.test(text) ? { data: text, mode: 'alphanumeric' } : { data: Buffer.from(text, 'utf8'), mode: 'byte' }];
}

export function qrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(segments(text), { type: 'png', errorCorrectionLevel, margin: marginModules, scale: pngScale });
}

export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(segments(text), { type: 'svg', errorCorrectionLevel, margin: marginModules });
}
