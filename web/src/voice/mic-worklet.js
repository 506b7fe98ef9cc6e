// The microphone's samples, as 16-bit integers 100 ms at a time, to the page
// (which sends them to /v1/realtime). Runs on the audio thread.
class OS1Mic extends AudioWorkletProcessor {
  constructor() {
    super();
    this.chunk = new Int16Array(Math.round(sampleRate / 10));
    this.filled = 0;
  }

  process(inputs) {
    const samples = inputs[0] && inputs[0][0];
    if (samples) {
      for (let i = 0; i < samples.length; i++) {
        const v = Math.max(-1, Math.min(1, samples[i]));
        this.chunk[this.filled++] = v < 0 ? v * 32768 : v * 32767;
        if (this.filled === this.chunk.length) {
          this.port.postMessage(this.chunk.slice(0));
          this.filled = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor("os1-mic", OS1Mic);
