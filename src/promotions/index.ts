/**
 * What other features may use from promotions: the pure pricing of
 * discounts (the cart and checkout use it), finding the promotions a cart
 * may use, claiming and giving back an order's uses (orders), and making,
 * switching and reporting promotions (the workspace's and admin's pages).
 */
export {
  applyPromotions,
  shareMoney,
  normaliseCode,
  reaches,
  type PricedPromotion,
  type PricingGroup,
  type PricingLine,
  type PromotionResult,
  type DiscountPart,
  type GroupDiscount,
  type ShareMoney,
  type Funder,
} from './pricing';
export {
  findForCart,
  automaticPromotionsGeneration,
  claimUses,
  releaseUses,
  markUsesPaid,
  createPromotion,
  createPromotionFromForm,
  setPromotionActive,
  promotionReport,
  getCoopLimits,
  setCoopLimits,
  unusable,
  CODE_ERRORS,
  type CodeError,
  type CartPromotions,
  type ClaimInput,
  type ClaimStep,
  type PromotionActor,
  type PromotionReportRow,
  type CoopLimitsView,
} from './promotions.service';
export { CodeBody, PromotionBody, LimitsBody, PromotionIdParam, type PromotionInput } from './promotions.schemas';
export { SCOPES, VALUE_KINDS, USE_STATES, type Promotion } from './promotion.model';
