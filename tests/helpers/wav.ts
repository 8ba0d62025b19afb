import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './stores';

/**
 * Writes a mono 16-bit PCM WAV file for Chromium's `--use-file-for-fake-audio-capture`: silence,
 * or a sine tone at `amplitude` of full scale. Generated per test so no binary lives in the repo.
 */
export function writeWav(name: string, options: { seconds: number; toneHz?: number; amplitude?: number; sampleRate?: number }): string {
  const rate = options.sampleRate ?? 48_000;
  const samples = Math.round(options.seconds * rate);
  const data = Buffer.alloc(samples * 2);
  const amplitude = options.amplitude ?? 0;
  for (let i = 0; i < samples; i++) {
    const value = options.toneHz ? Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * options.toneHz * i) / rate)) : 0;
    data.writeInt16LE(value, i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  const file = path.join(tempDir('tsb-wav-'), `${name}.wav`);
  fs.writeFileSync(file, Buffer.concat([header, data]));
  return file;
}
