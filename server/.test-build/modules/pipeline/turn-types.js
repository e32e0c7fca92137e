export {};
//# sourceMappingURL=turn-types.js.map