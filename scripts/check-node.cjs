// `npm install`'s preinstall: stop on a Node older than 22 with one clear line, instead of an
// install that ends in warnings and an `npm start` that fails later. CommonJS and old syntax on
// purpose: it must run on the old Node it is there to refuse.
var major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  console.error(
    "govledger needs Node.js >= 22 (Hardhat 3 does); this is Node " +
      process.version +
      ". Install Node 22 (e.g. `nvm install 22`) and run npm install again.",
  );
  process.exit(1);
}
