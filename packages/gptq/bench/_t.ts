import { trainedCharLlama } from "./char-llama.js";
await trainedCharLlama();
