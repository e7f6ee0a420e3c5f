// Types for the untyped `vectorclock` benchmark peer (mixu/vectorclock 0.0.0).
declare module "vectorclock" {
  type Clock = Record<string, number>;
  const vc: {
    increment(clock: Clock, nodeId: string): Clock;
    merge(a: Clock, b: Clock): Clock;
    compare(a: Clock, b: Clock): -1 | 0 | 1;
    isIdentical(a: Clock, b: Clock): boolean;
  };
  export default vc;
}
