// An engine process that never leaves when asked (a stuck read): its launcher must kill it and wait.
process.on('message', () => {});
setInterval(() => {}, 1000);
