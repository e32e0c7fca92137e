export {};
//# sourceMappingURL=pipeline-types.js.map